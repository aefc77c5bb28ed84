"""A device as a Matrix user, seen through matrix-nio (Debian's python3-matrix-nio).

  devices_nio.py URL MQTT_PORT DEVICE DEVICE_PASSWORD REPLAY OWNER OWNER_PW STRANGER STRANGER_PW

The device (replayed on the embedded broker with mosquitto_pub, as devices_slixmpp.py does) reports; its owner
gets an invite to a direct room from @DEVICE, joins, sees the reading as m.notice, types "off"; the device's echo
is replayed once the command is on the wire and the owner sees the answer. A stranger can neither join that room
nor get the device into a room of their own. Prints one JSON object with what was seen.
"""
import asyncio
import json
import logging
import os
import sys
import tempfile

from nio import AsyncClient, InviteMemberEvent, JoinResponse, LoginResponse, RoomCreateResponse, RoomSendResponse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devices_slixmpp import Mqtt, TIMEOUT, load_replay, message_lines, until  # noqa: E402


async def login(url, name, password):
    client = AsyncClient(url, name, store_path=tempfile.mkdtemp(prefix="nio-"))
    response = await client.login(password, device_name="nio " + name)
    if not isinstance(response, LoginResponse):
        raise RuntimeError("login of %s: %r" % (name, response))
    return client


async def notices(client, room_id, wanted, what):
    """Syncs until an m.notice in the room contains `wanted`; returns its body and sender."""
    for _ in range(TIMEOUT):
        response = await client.sync(timeout=1000)
        joined = response.rooms.join.get(room_id) if hasattr(response, "rooms") else None
        for event in (joined.timeline.events if joined else []):
            source = event.source.get("content", {})
            if source.get("msgtype") == "m.notice" and wanted in source.get("body", ""):
                return {"body": source["body"], "sender": event.sender}
    raise TimeoutError("timed out waiting for " + what)


async def main(url, mqtt_port, device, device_pw, replay_path, owner, owner_pw, stranger, stranger_pw):
    replay = load_replay(replay_path)
    mqtt = Mqtt(mqtt_port, device, device_pw)
    proc, pump, wire = await mqtt.subscribe("cmnd/%s/#" % device)
    result = {}
    alice = await login(url, owner, owner_pw)
    bob = await login(url, stranger, stranger_pw)
    try:
        await alice.sync(timeout=0)
        mqtt.play(replay["discovery"])
        mqtt.play(replay["telemetry"])

        device_user = "@%s:%s" % (device, alice.user_id.split(":", 1)[1])
        room_id = None
        for _ in range(TIMEOUT):
            response = await alice.sync(timeout=1000)
            for rid, info in response.rooms.invite.items():
                for event in info.invite_state:
                    if isinstance(event, InviteMemberEvent) and event.state_key == alice.user_id and event.sender == device_user:
                        room_id = rid
                        result["is_direct"] = bool(event.content.get("is_direct"))
            if room_id:
                break
        if room_id is None:
            raise TimeoutError("no invite from " + device_user)
        joined = await alice.join(room_id)
        if not isinstance(joined, JoinResponse):
            raise RuntimeError("join: %r" % (joined,))
        # Readings are posted once the owner is in the room: the next report arrives there.
        mqtt.play(replay["telemetry"])
        result["telemetry"] = await notices(alice, room_id, "58 W", "the reading")

        # The stranger cannot join the owner's room, and a room of their own does not get the device.
        refused = await bob.join(room_id)
        result["stranger_join"] = {"response": type(refused).__name__, "code": getattr(refused, "status_code", None)}
        own = await bob.room_create(is_direct=True, invite=[device_user])
        result["stranger_room_created"] = isinstance(own, RoomCreateResponse)
        if isinstance(own, RoomCreateResponse):
            state = await bob.room_get_state_event(own.room_id, "m.room.member", device_user)
            result["stranger_room_device"] = getattr(state, "content", {}).get("membership")
            await bob.sync(timeout=0)
            sent = await bob.room_send(own.room_id, "m.room.message", {"msgtype": "m.text", "body": "on"})
            result["stranger_send"] = isinstance(sent, RoomSendResponse)

        sent = await alice.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": "off"})
        if not isinstance(sent, RoomSendResponse):
            raise RuntimeError("send: %r" % (sent,))
        await until(lambda: any("cmnd/" in l for l in message_lines(wire)), "the command on the wire")
        mqtt.play(replay["echo"])
        result["answer"] = await notices(alice, room_id, "off", "the answer")
        result["published"] = await mqtt.published_before_marker(wire)
        result["room_id"] = room_id
        return result
    finally:
        proc.terminate()
        pump.cancel()
        await alice.close()
        await bob.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    args = sys.argv[1:]
    outcome = asyncio.get_event_loop().run_until_complete(asyncio.wait_for(
        main(args[0], int(args[1]), *args[2:]), TIMEOUT * 6))
    print(json.dumps(outcome))
