#!/usr/bin/env python3
"""XMPP people (slixmpp) and Matrix people (matrix-nio) of one node talking to each other.

Usage: bridge_scenarios.py SCENARIO XMPP_PORT MATRIX_URL DOMAIN PASSWORD
Every account (alice, bob, carol, dave) has PASSWORD. Prints one JSON object of what the clients saw (the C# test
asserts on it); when a wait times out it prints what it had with "error" and exits 1.
"""
import asyncio
import json
import logging
import sys
import traceback

from bridge_clients import (CHATSTATES, CORRECT, MARKERS, REACTIONS, REPLY, TIMEOUT, Matrix, Xmpp, element, until)

ENCRYPTED_FALLBACK = "I sent you an OMEMO encrypted message but your client doesn't seem to support that."


class Run:
    def __init__(self, port, url, domain, password):
        self.port, self.url, self.domain, self.password = port, url, domain, password
        self.result = {}
        self.clients = []

    def jid(self, user):
        return "%s@%s" % (user, self.domain)

    def mxid(self, user):
        return "@%s:%s" % (user, self.domain)

    async def xmpp(self, user, resource, carbons=False, presence=True):
        client = Xmpp("%s/%s" % (self.jid(user), resource), self.password)
        self.clients.append(client)
        return await client.login(self.port, carbons, presence)

    async def matrix(self, user, device="nio", sync=True):
        client = Matrix(self.url, user, self.password, device)
        self.clients.append(client)
        return await (client.start() if sync else client.login())

    async def close(self):
        for client in reversed(self.clients):
            try:
                await client.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

    async def first_contact(self, alice, bob, body):
        """alice (XMPP) writes to bob (Matrix, syncing); bob joins the invite; returns the room."""
        alice.send_chat(self.jid("bob"), body, id="first-contact")
        invite = await bob.wait_invite(self.mxid("alice"))
        await bob.join(invite["room"])
        await bob.wait_message(body, room_id=invite["room"])
        return invite["room"]


def summary(event):
    content = event.get("content", {})
    return {"type": event.get("type"), "sender": event.get("sender"), "event_id": event.get("event_id"),
            "redacts": event.get("redacts") or content.get("redacts"), "content": content}


def count(items, predicate):
    return sum(1 for i in items if predicate(i))


async def xmpp_first(run):
    """alice (XMPP) -> bob (Matrix): room created, invite is_direct, m.direct, m.text; bob's answer -> alice."""
    r = run.result
    bob = await run.matrix("bob")
    alice = await run.xmpp("alice", "phone")
    alice.send_chat(run.jid("bob"), "hello bob, from XMPP", id="alice-1")
    invite = await bob.wait_invite(run.mxid("alice"))
    r["invite"] = invite
    room = invite["room"]
    await bob.join(room)
    r["message"] = summary(await bob.wait_message("hello bob, from XMPP", room_id=room))
    r["bob_direct"] = await bob.direct()

    answer_id = await bob.text(room, "hello alice, from Matrix")
    r["answer_event_id"] = answer_id
    r["alice_got"] = await alice.wait(lambda m: m["body"] == "hello alice, from Matrix", "bob's answer")

    # Found again: alice's next message and bob's next answer use the same room; no second invite comes.
    alice.send_chat(run.jid("bob"), "second from XMPP", id="alice-2")
    r["second_room"] = await until(lambda: next((rid for rid, e in bob.timeline if e.get("content", {}).get("body") == "second from XMPP"), None),
                                   "alice's second message")
    await bob.text(room, "second from Matrix")
    await alice.wait(lambda m: m["body"] == "second from Matrix", "bob's second answer")
    r["bob_invites"] = bob.invites
    r["bob_joined_rooms"] = await bob.joined_rooms()
    r["alice_room_messages"] = [summary(e) for e in bob.messages(room)]

    # alice's own Matrix view (she logs in now): the room is in her m.direct under bob.
    alice_mx = await run.matrix("alice", "alice nio", sync=False)
    r["alice_direct"] = await alice_mx.direct()
    status, state = await alice_mx.http("GET", "/rooms/%s/state" % room)
    r["room_state_status"] = status
    r["room_state"] = [{"type": e["type"], "state_key": e.get("state_key"), "content": e.get("content")} for e in state] if status == 200 else state


async def matrix_first(run):
    """bob (Matrix) opens a direct chat with carol (XMPP only); carol's answers appear in that same room."""
    r = run.result
    bob = await run.matrix("bob")
    carol = await run.xmpp("carol", "laptop")
    status, created = await bob.http("POST", "/createRoom", {"preset": "trusted_private_chat", "is_direct": True,
                                                               "invite": [run.mxid("carol")]})
    if status != 200:
        raise RuntimeError("createRoom: %s %s" % (status, created))
    room = created["room_id"]
    r["room"] = room
    await until(lambda: room in bob.client.rooms, "bob's sync of the new room")
    r["sent_event_id"] = await bob.text(room, "hello carol, from Matrix")
    r["carol_got"] = await carol.wait(lambda m: m["body"] == "hello carol, from Matrix", "bob's message at carol")

    carol.send_chat(run.jid("bob"), "hello bob, from XMPP", id="carol-1")
    r["answer"] = summary(await bob.wait_message("hello bob, from XMPP"))
    r["answer_room"] = next(rid for rid, e in bob.timeline if e.get("content", {}).get("body") == "hello bob, from XMPP")
    carol.send_chat(run.jid("bob"), "again from XMPP", id="carol-2")
    await bob.wait_message("again from XMPP")
    r["again_room"] = next(rid for rid, e in bob.timeline if e.get("content", {}).get("body") == "again from XMPP")
    r["bob_invites"] = bob.invites
    r["bob_joined_rooms"] = await bob.joined_rooms()
    members = await bob.http("GET", "/rooms/%s/joined_members" % room)
    r["members"] = sorted(members[1].get("joined", {}).keys())
    carol_mx = await run.matrix("carol", "carol nio", sync=False)
    r["carol_joined_rooms"] = await carol_mx.joined_rooms()


async def both_protocols(run):
    """alice on two XMPP resources (carbons on) and two Matrix devices at once; bob uses XMPP only."""
    r = run.result
    dev1 = await run.matrix("alice", "alice dev1")
    dev2 = await run.matrix("alice", "alice dev2")
    phone = await run.xmpp("alice", "phone", carbons=True)
    laptop = await run.xmpp("alice", "laptop", carbons=True)
    bob = await run.xmpp("bob", "desk")

    bob.send_chat(run.jid("alice"), "b1 from bob", id="b1")
    invite = await dev1.wait_invite(run.mxid("bob"))
    r["invite"] = invite
    room = invite["room"]
    await dev1.join(room)
    for name, client in (("phone", phone), ("laptop", laptop)):
        await client.wait(lambda m: m["body"] == "b1 from bob", "b1 at " + name)
    for name, client in (("dev1", dev1), ("dev2", dev2)):
        await client.wait_message("b1 from bob", "b1 at " + name, room)

    phone.send_chat(run.jid("bob"), "a1 from phone", id="a1")
    await bob.wait(lambda m: m["body"] == "a1 from phone", "a1 at bob")
    await laptop.wait(lambda m: m["body"] == "a1 from phone" and m["carbon"] == "sent", "a1's sent carbon at laptop")
    for name, client in (("dev1", dev1), ("dev2", dev2)):
        await client.wait_message("a1 from phone", "a1 at " + name, room)

    a2 = await dev1.text(room, "a2 from dev1")
    r["a2_event_id"] = a2
    await bob.wait(lambda m: m["body"] == "a2 from dev1", "a2 at bob")
    for name, client in (("phone", phone), ("laptop", laptop)):
        await client.wait(lambda m: m["body"] == "a2 from dev1" and m["carbon"] == "sent", "a2's sent carbon at " + name)
    await dev2.wait_message("a2 from dev1", "a2 at dev2", room)

    # A fence: once bob's last message reached every client of alice, anything doubled earlier has arrived too.
    bob.send_chat(run.jid("alice"), "fence from bob", id="fence")
    for name, client in (("phone", phone), ("laptop", laptop)):
        await client.wait(lambda m: m["body"] == "fence from bob", "the fence at " + name)
    for name, client in (("dev1", dev1), ("dev2", dev2)):
        await client.wait_message("fence from bob", "the fence at " + name, room)
    await bob.wait(lambda m: True, "anything at bob")

    bodies = ["b1 from bob", "a1 from phone", "a2 from dev1", "fence from bob"]
    seen = {}
    for name, client in (("phone", phone), ("laptop", laptop), ("bob", bob)):
        seen[name] = {b: [m["carbon"] or "direct" for m in client.messages if m["body"] == b] for b in bodies}
        seen[name + "_from"] = {b: [m["from"] for m in client.messages if m["body"] == b] for b in bodies}
    for name, client in (("dev1", dev1), ("dev2", dev2)):
        seen[name] = {b: [e["sender"] for e in client.messages(body=b)] for b in bodies}
        seen[name + "_rooms"] = sorted({rid for rid, e in client.timeline if e.get("type") == "m.room.message"})
    r["seen"] = seen
    r["room"] = room
    r["dev1_invites"] = dev1.invites


async def offline(run):
    """Who gets a message from XMPP while offline on XMPP: the offline store only when no Matrix client had it."""
    r = run.result
    alice = await run.xmpp("alice", "phone")
    # bob has used Matrix (a device) but no client of his is syncing: the room keeps it, and so does the offline store.
    bob_mx = await run.matrix("bob", "bob nio", sync=False)
    # carol's Matrix client is syncing now: the message reached her, no offline copy.
    carol_mx = await run.matrix("carol", "carol nio")
    # dave uses XMPP only, as does alice: the offline store, as between any two XMPP users.
    alice.send_chat(run.jid("bob"), "k1 for bob", id="k1")
    alice.send_chat(run.jid("carol"), "r1 for carol", id="r1")
    alice.send_chat(run.jid("dave"), "n1 for dave", id="n1")
    invite = await carol_mx.wait_invite(run.mxid("alice"))
    await carol_mx.join(invite["room"])
    await carol_mx.wait_message("r1 for carol", room_id=invite["room"])

    for user in ("bob", "carol", "dave"):
        client = await run.xmpp(user, "later")
        # A round trip after her initial presence: the node has taken it before the fence is sent, so the fence finds
        # an available session (for carol, whose Matrix client had it, it would otherwise be delivered there only).
        await client.get_roster()
        alice.send_chat(run.jid(user), "fence for " + user, id="fence-" + user)
        await client.wait(lambda m: m["body"] == "fence for " + user, "the fence at " + user)
        # Offline messages may come after a live one; an iq answered after her initial presence comes after them.
        await client.get_roster()
        r[user + "_xmpp"] = [m["body"] for m in client.messages if m["body"]]

    await bob_mx.start()
    invite = await bob_mx.wait_invite(run.mxid("alice"))
    await bob_mx.join(invite["room"])
    await bob_mx.wait_message("fence for bob", room_id=invite["room"])
    r["bob_matrix"] = [e["content"].get("body") for e in bob_mx.messages(invite["room"])]
    r["carol_matrix"] = [e["content"].get("body") for e in carol_mx.messages()]
    r["alice_errors"] = [m for m in alice.messages if m["type"] == "error"]


async def presence(run):
    """Presence both ways as the union of the views, and the subscription answered for a room partner."""
    r = run.result
    bob = await run.matrix("bob")
    alice = await run.xmpp("alice", "phone")
    carol = await run.xmpp("carol", "laptop")
    room = await run.first_contact(alice, bob, "hi bob, presence first")
    r["room"] = room

    # carol shares no room with bob: her request waits for bob's XMPP clients. alice's is answered at once.
    carol.send_presence(pto=run.jid("bob"), ptype="subscribe")
    alice.send_presence(pto=run.jid("bob"), ptype="subscribe")
    await alice.wait_presence(lambda p: p["from"] == run.jid("bob") and p["type"] == "subscribed", "subscribed from bob")
    r["alice_roster_bob"] = await until(lambda: alice.client_roster[run.jid("bob")]["subscription"] in ("to", "both")
                                        and alice.client_roster[run.jid("bob")]["subscription"], "bob in alice's roster with 'to'")

    await bob.client.set_presence("online", "at the desk")
    r["alice_bob_online"] = await alice.wait_presence(
        lambda p: p["from"] == run.jid("bob") + "/matrix" and p["type"] == "available" and p["status"] == "at the desk",
        "bob's Matrix presence at alice")

    alice.send_presence(pshow="away", pstatus="lunch")
    r["bob_sees_alice"] = await bob.wait_presence(lambda p: p["user"] == run.mxid("alice") and p["status"] == "lunch",
                                                  "alice's XMPP presence at bob")

    bob.sync_presence = "offline"
    await bob.client.set_presence("offline")
    r["alice_bob_offline"] = await alice.wait_presence(
        lambda p: p["from"] == run.jid("bob") + "/matrix" and p["type"] == "unavailable", "bob's Matrix presence gone at alice")

    await alice.close()
    r["bob_sees_alice_gone"] = await bob.wait_presence(lambda p: p["user"] == run.mxid("alice") and p["presence"] == "offline",
                                                       "alice offline at bob")
    r["carol_presences"] = carol.presences
    r["carol_roster_bob"] = carol.client_roster[run.jid("bob")]["subscription"] if run.jid("bob") in carol.client_roster else None


async def related_pair(run):
    """alice (XMPP, first message id "first-contact") and bob (Matrix) in their room, one message each."""
    r = run.result
    bob = await run.matrix("bob")
    alice = await run.xmpp("alice", "phone")
    room = await run.first_contact(alice, bob, "relations start")
    start_event = bob.messages(room, "relations start")[0]["event_id"]
    bob_event = await bob.text(room, "bob's first")
    await alice.wait(lambda m: m["body"] == "bob's first", "bob's first at alice")
    r["bob_event"] = bob_event
    r["start_event"] = start_event
    return alice, bob, room, start_event, bob_event


async def relations_to_matrix(run):
    """XMPP -> Matrix: correction, reply, reaction set (and its emptying), displayed marker."""
    r = run.result
    alice, bob, room, start_event, bob_event = await related_pair(run)
    alice.send_chat(run.jid("bob"), "relations start, corrected", id="fix-1", extra=[element(CORRECT + "replace", id="first-contact")])
    r["edit"] = summary(await bob.wait_event(lambda e: e.get("content", {}).get("m.relates_to", {}).get("rel_type") == "m.replace", "the edit"))
    alice.send_chat(run.jid("bob"), "answering bob", id="reply-1", extra=[element(REPLY + "reply", to=run.jid("bob"), id=bob_event)])
    r["reply"] = summary(await bob.wait_message("answering bob"))
    reactions = element(REACTIONS + "reactions", id=bob_event)
    reactions.append(element(REACTIONS + "reaction", "\U0001F44D"))
    alice.send_chat(run.jid("bob"), None, id="react-2", extra=[reactions])
    reaction = await bob.wait_event(lambda e: e.get("type") == "m.reaction", "the reaction")
    r["reaction"] = summary(reaction)
    alice.send_chat(run.jid("bob"), None, id="react-3", extra=[element(REACTIONS + "reactions", id=bob_event)])
    r["unreaction"] = summary(await bob.wait_event(lambda e: e.get("type") == "m.room.redaction", "the reaction's redaction"))
    alice.send_chat(run.jid("bob"), None, id="marker-1", extra=[element(MARKERS + "displayed", id=bob_event)])
    r["receipt"] = (await bob.wait_ephemeral(lambda rid, e: "receipt" in e and e["receipt"]["user"] == run.mxid("alice"),
                                             "alice's read receipt"))["receipt"]


async def relations_to_xmpp(run):
    """Matrix -> XMPP: m.replace, m.in_reply_to, m.annotation (and its redaction), m.read."""
    r = run.result
    alice, bob, room, start_event, bob_event = await related_pair(run)
    edit = await bob.send(room, {"msgtype": "m.text", "body": "* bob's first, edited",
                                 "m.new_content": {"msgtype": "m.text", "body": "bob's first, edited"},
                                 "m.relates_to": {"rel_type": "m.replace", "event_id": bob_event}})
    r["edit_event"] = edit
    r["alice_edit"] = await alice.wait(lambda m: m["replace"] is not None, "bob's correction at alice")
    await bob.send(room, {"msgtype": "m.text", "body": "replying to alice",
                          "m.relates_to": {"m.in_reply_to": {"event_id": start_event}}})
    r["alice_reply"] = await alice.wait(lambda m: m["reply"] is not None, "bob's reply at alice")
    bob_reaction = await bob.send(room, {"m.relates_to": {"rel_type": "m.annotation", "event_id": start_event, "key": "\U0001F389"}},
                                  "m.reaction")
    r["alice_reaction"] = await alice.wait(lambda m: m["reactions"] is not None and m["reactions"]["keys"], "bob's reaction at alice")
    await bob.client.room_redact(room, bob_reaction)
    r["alice_unreaction"] = await alice.wait(lambda m: m["reactions"] is not None and not m["reactions"]["keys"],
                                             "bob's reaction removed at alice")
    await bob.client.update_receipt_marker(room, start_event)
    r["alice_displayed"] = await alice.wait(lambda m: m["displayed"] is not None, "bob's read receipt at alice")


async def typing(run):
    """XEP-0085 chat states <-> typing, both ways."""
    r = run.result
    alice, bob, room, start_event, bob_event = await related_pair(run)
    await bob.client.room_typing(room, True, 20000)
    r["alice_composing"] = await alice.wait(lambda m: m["chatstate"] == "composing", "bob typing at alice")
    mark = len(alice.messages)
    await bob.client.room_typing(room, False)
    r["alice_stopped"] = await alice.wait(lambda m: m["chatstate"] in ("paused", "active", "inactive", "gone") and m["body"] is None,
                                          "bob stopped typing at alice", mark)
    alice.send_chat(run.jid("bob"), None, id="state-1", extra=[element("{%s}composing" % CHATSTATES)])
    await bob.wait_ephemeral(lambda rid, e: run.mxid("alice") in e.get("typing", []), "alice typing at bob")
    mark = len(bob.ephemeral)
    alice.send_chat(run.jid("bob"), None, id="state-2", extra=[element("{%s}paused" % CHATSTATES)])
    await bob.wait_ephemeral(lambda rid, e: "typing" in e and run.mxid("alice") not in e["typing"], "alice no longer typing at bob", mark)
    r["typing"] = True


def omemo():
    encrypted = element("{eu.siacs.conversations.axolotl}encrypted")
    header = element("{eu.siacs.conversations.axolotl}header", sid="12345")
    header.append(element("{eu.siacs.conversations.axolotl}key", "AAAA", rid="678"))
    header.append(element("{eu.siacs.conversations.axolotl}iv", "BBBBBBBBBBBBBBBB"))
    encrypted.append(header)
    encrypted.append(element("{eu.siacs.conversations.axolotl}payload", "CCCC"))
    return [encrypted, element("{urn:xmpp:eme:0}encryption", namespace="eu.siacs.conversations.axolotl", name="OMEMO")]


async def encrypted(run):
    """OMEMO from XMPP and Megolm from Matrix cannot cross: one notice per conversation, not the ciphertext."""
    r = run.result
    bob = await run.matrix("bob")
    alice = await run.xmpp("alice", "phone")
    room = await run.first_contact(alice, bob, "before encrypting")
    for i in range(3):
        alice.send_chat(run.jid("bob"), ENCRYPTED_FALLBACK, id="omemo-%d" % i, extra=omemo())
    alice.send_chat(run.jid("bob"), "after encrypting", id="plain-after")
    await bob.wait_message("after encrypting", room_id=room)
    r["bob_room"] = [summary(e) for e in bob.events(room) if e.get("type") in ("m.room.message", "m.room.encrypted")]

    megolm = {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "AwgAEnA" * 10, "device_id": "NIODEVICE",
              "sender_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "session_id": "sessionsessionsessionsession"}
    for _ in range(3):
        await bob.send(room, megolm, "m.room.encrypted")
    await bob.text(room, "after megolm")
    await alice.wait(lambda m: m["body"] == "after megolm", "the plain message after the Megolm ones")
    r["alice_messages"] = [m for m in alice.messages if m["type"] != "error"]
    r["alice_errors"] = [m for m in alice.messages if m["type"] == "error"]


async def hostile(run):
    """A 60 KB Matrix body and control characters reach XMPP escaped; an XMPP body too large for Matrix is refused."""
    r = run.result
    bob = await run.matrix("bob")
    alice = await run.xmpp("alice", "phone")
    carol = await run.xmpp("carol", "laptop")
    room = await run.first_contact(alice, bob, "hostile start")

    big = ("0123456789abcdef" * 3840)  # 61,440 characters
    await bob.text(room, big)
    got = await alice.wait(lambda m: m["body"] is not None and len(m["body"]) > 1000, "the 60 KB body")
    r["big_length"] = len(got["body"])
    r["big_equal"] = got["body"] == big
    await bob.text(room, "controls:\u0001\u0008\u000b\u001f|\ufffe|\uffff|tab\tnewline\nend")
    r["controls"] = (await alice.wait(lambda m: (m["body"] or "").startswith("controls:"), "the body with control characters"))["body"]

    # 70,000 characters: more than a Matrix event may hold, far less than an XMPP stanza may.
    alice.send_chat(run.jid("bob"), "y" * 70000, id="too-big")
    r["refusal"] = await alice.wait(lambda m: m["type"] == "error" and m["id"] == "too-big", "the refusal of the large body")
    # Other conversations keep flowing: alice -> bob, bob -> alice, and carol -> alice over XMPP.
    alice.send_chat(run.jid("bob"), "still flowing", id="after-big")
    await bob.wait_message("still flowing", room_id=room)
    await bob.text(room, "still answering")
    await alice.wait(lambda m: m["body"] == "still answering", "bob's answer after the refusal")
    carol.send_chat(run.jid("alice"), "carol over xmpp", id="carol-x")
    await alice.wait(lambda m: m["body"] == "carol over xmpp", "carol's message")
    r["bob_room_lengths"] = [len(e["content"].get("body", "")) for e in bob.messages(room)]
    r["flowing"] = True


async def store_full(run):
    """Node with Xmpp:OfflineQuotaPerSender=1. A message the offline store refuses is still in the Matrix room."""
    r = run.result
    alice = await run.xmpp("alice", "phone")
    bob_mx = await run.matrix("bob", "bob nio", sync=False)  # bob uses Matrix, no client syncing; offline on XMPP
    alice.send_chat(run.jid("bob"), "q1 for bob", id="q1")
    alice.send_chat(run.jid("bob"), "q2 for bob", id="q2")
    # The same two to dave (XMPP only): the quota bites, his second is refused with service-unavailable.
    alice.send_chat(run.jid("dave"), "d1 for dave", id="d1")
    alice.send_chat(run.jid("dave"), "d2 for dave", id="d2")
    await alice.wait(lambda m: m["type"] == "error" and m["id"] == "d2", "the refusal of d2")
    bob = await run.xmpp("bob", "later")
    alice.send_chat(run.jid("bob"), "fence for bob", id="fence")
    await bob.wait(lambda m: m["body"] == "fence for bob", "the fence at bob")
    await bob.get_roster()
    r["bob_xmpp"] = [m["body"] for m in bob.messages if m["body"]]
    await bob_mx.start()
    invite = await bob_mx.wait_invite(run.mxid("alice"))
    await bob_mx.join(invite["room"])
    await bob_mx.wait_message("fence for bob", room_id=invite["room"])
    r["bob_matrix"] = [e["content"].get("body") for e in bob_mx.messages(invite["room"])]
    r["alice_errors"] = [m for m in alice.messages if m["type"] == "error"]


async def formats(run):
    """m.emote and "/me ", m.notice, and an XEP-0066 link."""
    r = run.result
    bob = await run.matrix("bob")
    alice = await run.xmpp("alice", "phone")
    room = await run.first_contact(alice, bob, "formats start")
    await bob.send(room, {"msgtype": "m.emote", "body": "waves"})
    r["alice_emote"] = await alice.wait(lambda m: (m["body"] or "").endswith("waves"), "bob's emote")
    await bob.send(room, {"msgtype": "m.notice", "body": "a notice from bob"})
    r["alice_notice"] = await alice.wait(lambda m: m["body"] == "a notice from bob", "bob's notice")
    alice.send_chat(run.jid("bob"), "/me nods", id="emote-1")
    r["bob_emote"] = summary(await bob.wait_event(lambda e: e.get("content", {}).get("body", "").endswith("nods"), "alice's emote"))
    url = "https://example.org/cat.jpg"
    oob = element("{jabber:x:oob}x")
    oob.append(element("{jabber:x:oob}url", url))
    alice.send_chat(run.jid("bob"), url, id="oob-1", extra=[oob])
    r["bob_link"] = summary(await bob.wait_event(lambda e: url in e.get("content", {}).get("body", ""), "alice's link"))
    r["url"] = url


SCENARIOS = {f.__name__: f for f in (xmpp_first, matrix_first, both_protocols, offline, store_full, presence, relations_to_matrix,
                                       relations_to_xmpp, typing, encrypted,
                                       hostile, formats)}


async def main(scenario, port, url, domain, password):
    run = Run(port, url, domain, password)
    try:
        await asyncio.wait_for(SCENARIOS[scenario](run), TIMEOUT * 8)
        return run.result, None
    except Exception as e:  # noqa: BLE001 - reported with what was seen so far
        return run.result, "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc()[-2000:])
    finally:
        await run.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    name, port, url, domain, password = sys.argv[1:]
    result, error = asyncio.get_event_loop().run_until_complete(main(name, int(port), url, domain, password))
    if error:
        result["error"] = error
    print(json.dumps(result))
    sys.exit(1 if error else 0)
