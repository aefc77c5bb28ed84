"""matrix-nio (Debian's python3-matrix-nio, r0 paths) against an EdgeNode.

  nio_client.py URL PASSWORD basic  - alice and bob log in, alice makes a room and invites bob, bob joins,
                                      both send, both see the other's message through /sync.
  nio_client.py URL PASSWORD e2ee   - the same in an encrypted room: keys upload, query, claim, an Olm to-device
                                      room key, a Megolm message that bob decrypts.
  nio_client.py URL PASSWORD xmpponly - bob logs in; alice opens a direct chat inviting carol (who never used
                                      Matrix), invites her again, kicks her and invites her once more, and invites bob;
                                      prints the m.notice bodies alice's /sync shows, one "notice <body>" line each.
Prints "ok <step>" lines and exits 1 with "FAIL ..." on the first failure.
"""
import asyncio
import os
import sys
import tempfile

from nio import (AsyncClient, AsyncClientConfig, JoinResponse, KeysUploadResponse, LoginResponse, MegolmEvent,
                 RoomCreateResponse, RoomInviteResponse, RoomKickResponse, RoomMessageNotice, RoomMessageText,
                 RoomSendResponse, SyncResponse)


def fail(message):
    print("FAIL " + message, flush=True)
    sys.exit(1)


def ok(step):
    print("ok " + step, flush=True)


async def until_message(client, room_id, body, rounds=15):
    for _ in range(rounds):
        response = await client.sync(timeout=2000)
        room = getattr(response, "rooms", None)
        if room is None:
            fail("sync failed: %r" % (response,))
        joined = response.rooms.join.get(room_id)
        if joined:
            for event in joined.timeline.events:
                if isinstance(event, MegolmEvent):
                    fail("%s could not decrypt a Megolm event (%s)" % (client.user_id, event.session_id))
                if isinstance(event, RoomMessageText) and event.body == body:
                    return event
    fail("%s never saw %r" % (client.user_id, body))


async def xmpp_only(url, password):
    store = tempfile.mkdtemp(prefix="nio-")
    config = AsyncClientConfig(store_sync_tokens=False)
    alice = AsyncClient(url, "alice", store_path=store, config=config)
    bob = AsyncClient(url, "bob", store_path=store, config=config)
    for client in (alice, bob):
        response = await client.login(password, device_name="nio")
        if not isinstance(response, LoginResponse):
            fail("login of %s: %r" % (client.user, response))
    ok("login")
    carol = alice.user_id.replace("@alice:", "@carol:")
    # Not a direct chat: one with carol would reach her over XMPP (the node bridges it), and get no notice.
    created = await alice.room_create(is_direct=False, invite=[carol])
    if not isinstance(created, RoomCreateResponse):
        fail("room create: %r" % (created,))
    room_id = created.room_id
    for step in ("invite again", "kick", "invite after kick", "invite bob"):
        if step == "kick":
            answer = await alice.room_kick(room_id, carol, reason="try again")
            expected = RoomKickResponse
        else:
            answer = await alice.room_invite(room_id, bob.user_id if step == "invite bob" else carol)
            expected = RoomInviteResponse
        if not isinstance(answer, expected):
            fail("%s: %r" % (step, answer))
    ok("invites")
    synced = await alice.sync(timeout=0, full_state=True, sync_filter={"room": {"timeline": {"limit": 100}}})
    if not isinstance(synced, SyncResponse):
        fail("sync: %r" % (synced,))
    joined = synced.rooms.join.get(room_id)
    if joined is None:
        fail("alice's sync has no room " + room_id)
    if joined.timeline.limited:
        fail("the timeline came back limited")
    for event in joined.timeline.events:
        if isinstance(event, RoomMessageNotice):
            print("notice " + event.body, flush=True)
    for client in (alice, bob):
        await client.close()
    print("ALL OK", flush=True)


async def main(url, password, mode):
    if mode == "xmpponly":
        await xmpp_only(url, password)
        return
    encrypted = mode == "e2ee"
    store = tempfile.mkdtemp(prefix="nio-")
    config = AsyncClientConfig(encryption_enabled=encrypted, store_sync_tokens=False)
    clients = []
    for name in ("alice", "bob"):
        path = os.path.join(store, name)
        os.makedirs(path)
        client = AsyncClient(url, name, store_path=path, config=config)
        response = await client.login(password, device_name="nio " + name)
        if not isinstance(response, LoginResponse):
            fail("login of %s: %r" % (name, response))
        if encrypted and client.should_upload_keys:
            uploaded = await client.keys_upload()
            if not isinstance(uploaded, KeysUploadResponse) or uploaded.signed_curve25519_count == 0:
                fail("keys upload of %s: %r" % (name, uploaded))
        await client.sync(timeout=0, full_state=True)
        clients.append(client)
    alice, bob = clients
    ok("login")

    initial_state = []
    if encrypted:
        initial_state.append({"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}})
    created = await alice.room_create(name="nio " + mode, invite=[bob.user_id], initial_state=initial_state)
    if not isinstance(created, RoomCreateResponse):
        fail("room create: %r" % (created,))
    room_id = created.room_id
    await bob.sync(timeout=2000)
    if room_id not in bob.invited_rooms:
        fail("bob has no invite to " + room_id)
    joined = await bob.join(room_id)
    if not isinstance(joined, JoinResponse):
        fail("join: %r" % (joined,))
    await bob.sync(timeout=2000)
    await alice.sync(timeout=2000)
    ok("join")

    if encrypted:
        if not alice.rooms[room_id].encrypted:
            fail("alice does not see the room as encrypted")
        if alice.should_query_keys:
            await alice.keys_query()
        if bob.should_query_keys:
            await bob.keys_query()

    sent = await alice.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": "hello from alice"},
                                 ignore_unverified_devices=True)
    if not isinstance(sent, RoomSendResponse):
        fail("alice's send: %r" % (sent,))
    got = await until_message(bob, room_id, "hello from alice")
    if encrypted and not getattr(got, "decrypted", False):
        fail("bob's copy of alice's message was not encrypted on the wire")
    ok("alice to bob" + (" decrypted" if encrypted else ""))

    sent = await bob.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": "hello from bob"},
                               ignore_unverified_devices=True)
    if not isinstance(sent, RoomSendResponse):
        fail("bob's send: %r" % (sent,))
    got = await until_message(alice, room_id, "hello from bob")
    if encrypted and not getattr(got, "decrypted", False):
        fail("alice's copy of bob's message was not encrypted on the wire")
    ok("bob to alice" + (" decrypted" if encrypted else ""))

    for client in clients:
        await client.close()
    print("ALL OK", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
